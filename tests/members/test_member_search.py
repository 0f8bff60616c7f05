"""The console's members list: the search over name, e-mail, organisation and department, its
pages, the consent wording on record and each member's sign-ups."""

from app.members.consent import CURRENT_VERSION, WORDING
from app.members.models import MemberStatus
from app.members.search import MemberSearch, consent_wording, find_members, member_registrations
from app.members.services import AWAITING_CONSENT
from tests.factories import make_member


def test_the_consent_wording_comes_from_the_versioned_text():
    assert consent_wording(CURRENT_VERSION) == WORDING[CURRENT_VERSION]
    assert consent_wording(AWAITING_CONSENT) is None
    assert consent_wording("1999-01") is None


def test_the_search_normalises_text_and_ignores_an_unknown_status():
    assert MemberSearch.parse("  ＤＸ　推進 ", "bogus") == MemberSearch("DX 推進", "")
    assert MemberSearch.parse(None, "active") == MemberSearch("", "active")


def test_members_are_found_by_each_word_in_name_email_organisation_or_department(app):
    hanako = make_member(organization="鳥取県", name="山田 花子", department="デジタル推進課")
    make_member(organization="東京都江戸川区", name="山田 太郎")
    make_member(organization="北海道札幌市", email="sato@sapporo.example.jp")

    def names(text):
        return {m.name for m in find_members(MemberSearch.parse(text, ""), 1).members}

    assert names("山田") == {"山田 花子", "山田 太郎"}
    assert names("山田 鳥取") == {hanako.name}
    assert names("ﾃﾞｼﾞﾀﾙ") == {hanako.name}  # half-width kana typed, NFKC matches
    assert len(names("SAPPORO")) == 1
    assert names("310000") == {hanako.name}


def test_a_percent_sign_in_the_search_is_not_a_wildcard(app):
    make_member(name="山田 花子")
    assert find_members(MemberSearch.parse("%", ""), 1).total == 0


def test_members_filter_by_status(app):
    make_member(name="有効な人")
    make_member(name="確認待ちの人", status=MemberStatus.PENDING)
    make_member(name="停止した人", status=MemberStatus.UNSUBSCRIBED)
    result = find_members(MemberSearch.parse("", "pending"), 1)
    assert [m.name for m in result.members] == ["確認待ちの人"]
    assert find_members(MemberSearch.parse("", ""), 1).total == 3


def test_members_come_a_page_at_a_time_newest_first(app):
    created = [make_member() for _ in range(5)]
    first = find_members(MemberSearch(), 1, per_page=2)
    assert [m.id for m in first.members] == [created[4].id, created[3].id]
    assert first.total == 5 and first.has_next and not first.has_previous
    last = find_members(MemberSearch(), 3, per_page=2)
    assert [m.id for m in last.members] == [created[0].id]
    assert not last.has_next and last.has_previous
    assert find_members(MemberSearch(), 10**30, per_page=2).members == []


def test_a_members_registrations_are_matched_by_email(app, make_event, make_registration):
    member = make_member(email="hanako@city.example.jp")
    event = make_event(title="セミナー")
    make_registration(event, email="hanako@city.example.jp")
    make_registration(event, email="someone.else@city.example.jp")
    assert [r.event.title for r in member_registrations(member)] == ["セミナー"]
