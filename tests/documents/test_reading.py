"""五十音順 by furigana: katakana, hiragana and half-width kana read alike; voicing marks and
small kana count only between readings otherwise equal; no reading means the end of the list."""

from dataclasses import dataclass

from app.documents.reading import by_reading, normalise_reading, reading_of


@dataclass
class Person:
    name: str
    furigana: str = ""
    id: int = 0


def names(people) -> list[str]:
    return [person.name for person in by_reading(people)]


def test_readings_are_folded_to_hiragana_without_spaces():
    assert normalise_reading("ヤマダ　ﾀﾛｳ") == "やまだたろう"
    assert normalise_reading(" やまだ・はなこ ") == "やまだはなこ"


def test_kana_in_any_script_sort_together_in_gojuon_order():
    people = [
        Person("渡辺 花", "ワタナベ ハナ"),
        Person("井上 陽", "いのうえ よう"),
        Person("小林 健", "ｺﾊﾞﾔｼ ｹﾝ"),
        Person("阿部 実", "アベ ミノル"),
        Person("後藤 真", "ごとう まこと"),
    ]
    assert names(people) == ["阿部 実", "井上 陽", "後藤 真", "小林 健", "渡辺 花"]


def test_voicing_marks_count_only_between_readings_otherwise_equal():
    # Dictionary order: がい before かう (い before う), but かき before がき.
    people = [Person("B", "かう"), Person("A", "がい"), Person("D", "がき"), Person("C", "かき")]
    assert names(people) == ["A", "B", "C", "D"]


def test_a_name_in_kana_is_its_own_reading_and_the_rest_come_last():
    people = [
        Person("山崎 一郎", "", id=1),  # やまさき or やまざき: a program cannot tell
        Person("さくら ゆい", "", id=2),
        Person("Smith John", "Smith", id=3),
        Person("青木 学", "あおき まなぶ", id=4),
    ]
    assert reading_of(people[1]) == "さくらゆい"
    assert reading_of(people[0]) == ""
    assert names(people) == ["青木 学", "さくら ゆい", "Smith John", "山崎 一郎"]


def test_same_reading_keeps_a_stable_order_by_name_then_id():
    people = [Person("佐藤 B", "さとう", id=2), Person("佐藤 A", "さとう", id=1)]
    assert names(people) == ["佐藤 A", "佐藤 B"]
