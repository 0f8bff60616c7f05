"""The sign-up's choices and answers: the parts and table chosen, and the answers to the event's
own questions, cleaned and checked; every problem is reported, so a form can show them at once."""

from flask_babel import lazy_gettext as _l

from app.errors import DomainError, InvalidChoice
from app.events.models import Event, Question, QuestionType
from app.text import UnusableText, clean_line, clean_text

# The longest answer kept for a custom question, by type (choices are limited by their options).
ANSWER_LIMITS = {QuestionType.SHORT_TEXT: 200, QuestionType.LONG_TEXT: 2000}


class InvalidAnswer(DomainError):
    """An answer to a custom question is missing, too long or not among the options."""

    message = _l("回答を確認してください。")


def choice_problems(event: Event, part_ids: list[int], table_id: int | None):
    """(parts, table, problems): the chosen parts and table of this event, and every problem
    with the choice (at most one for the parts, one for the table), for a form to show at once."""
    problems = []
    parts_by_id = {part.id: part for part in event.parts}
    if event.parts and not part_ids:
        problems.append(InvalidChoice(_l("参加する部を選んでください。"), field="parts"))
    elif any(part_id not in parts_by_id for part_id in part_ids):
        problems.append(InvalidChoice(field="parts"))
    parts = [parts_by_id[part_id] for part_id in sorted(set(part_ids)) if part_id in parts_by_id]

    tables_by_id = {table.id: table for table in event.tables}
    needs_table = bool(event.tables) and (not event.parts or any(p.uses_tables for p in parts))
    if table_id is not None and table_id not in tables_by_id:
        problems.append(InvalidChoice(field="table"))
    elif needs_table and table_id is None:
        problems.append(
            InvalidChoice(
                _l("情報交換会に参加される方は、テーブルを選んでください。"), field="table"
            )
        )
    table = tables_by_id.get(table_id) if needs_table and table_id is not None else None
    return parts, table, problems


def validate_choices(event: Event, part_ids: list[int], table_id: int | None):
    parts, table, problems = choice_problems(event, part_ids, table_id)
    if problems:
        raise problems[0]
    return parts, table


def _answer_error(question: Question, message) -> InvalidAnswer:
    return InvalidAnswer(message, field=f"question_{question.id}")


def _clean_text(question: Question, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _answer_error(
            question, _l("「%(label)s」の回答の形式が正しくありません。", label=question.label)
        )
    try:
        text = clean_text(value) if question.type == QuestionType.LONG_TEXT else clean_line(value)
    except UnusableText:
        raise _answer_error(
            question,
            _l(
                "「%(label)s」に使えない文字（制御文字など）が含まれています。",
                label=question.label,
            ),
        ) from None
    if question.type == QuestionType.SINGLE_CHOICE:
        if text and text not in question.choices:
            raise _answer_error(
                question, _l("「%(label)s」は選択肢の中から選んでください。", label=question.label)
            )
        return text
    limit = ANSWER_LIMITS.get(QuestionType(question.type), ANSWER_LIMITS[QuestionType.SHORT_TEXT])
    if len(text) > limit:
        raise _answer_error(
            question,
            _l(
                "「%(label)s」は%(max)d文字以内で入力してください。",
                label=question.label,
                max=limit,
            ),
        )
    return text


def _clean_choices(question: Question, value) -> list[str]:
    if value is None:
        values = []
    elif isinstance(value, str):
        values = [value]
    elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        values = list(value)
    else:
        raise _answer_error(
            question, _l("「%(label)s」の回答の形式が正しくありません。", label=question.label)
        )
    chosen = {item.strip() for item in values if item.strip()}
    if chosen - set(question.choices):
        raise _answer_error(
            question, _l("「%(label)s」は選択肢の中から選んでください。", label=question.label)
        )
    return [choice for choice in question.choices if choice in chosen]


def answer_problems(
    questions: list[Question], answers: dict, require: bool = True
) -> tuple[dict, list[InvalidAnswer]]:
    """The answers checked against the event's questions and keyed by str(question id), and
    every problem found (one per question), so that a form can show them all at once.

    Answers to questions the event does not have are dropped. With `require` off (an organizer
    correcting a registration) required questions may stay blank.
    """
    given = {str(key): value for key, value in (answers or {}).items()}
    cleaned: dict = {}
    problems: list[InvalidAnswer] = []
    for question in questions:
        value = given.get(str(question.id))
        try:
            answer: str | list[str]
            if question.type == QuestionType.MULTIPLE_CHOICE:
                answer = _clean_choices(question, value)
            else:
                answer = _clean_text(question, value)
        except InvalidAnswer as problem:
            problems.append(problem)
            continue
        is_choice = question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
        # A choice question without options cannot be answered, so it cannot be required.
        answerable = bool(question.choices) or not is_choice
        if answer:
            cleaned[str(question.id)] = answer
        elif require and question.required and answerable:
            problems.append(
                _answer_error(
                    question, _l("「%(label)s」に回答してください。", label=question.label)
                )
            )
    return cleaned, problems


def clean_answers(questions: list[Question], answers: dict, require: bool = True) -> dict:
    """The answers checked against the event's questions (see answer_problems); raises the
    first problem."""
    cleaned, problems = answer_problems(questions, answers, require)
    if problems:
        raise problems[0]
    return cleaned
