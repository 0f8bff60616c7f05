"""The console: building a survey (errors beside their fields, what was typed kept), the
results page with its charts, and the downloads."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.surveys import followups
from app.surveys.answering import submit_answers
from app.surveys.inputs import AnswerInput
from app.surveys.models import Survey, SurveyInvitation


def _form(**overrides):
    data = {
        "intro": "ご参加ありがとうございました。",
        "send_after_minutes": "90",
        "reminder_after_days": "3",
        "closes_at": "2026-09-30 17:00",
        "questions-0-label": "満足度",
        "questions-0-type": "rating",
        "questions-0-required": "y",
        "questions-1-label": "参考になった部",
        "questions-1-type": "multiple_choice",
        "questions-1-choices": "第一部\n第二部",
        "questions-2-label": "",
        "questions-2-type": "rating",
    }
    data.update(overrides)
    return data


def test_an_organizer_builds_a_survey_and_the_event_page_links_to_it(organizer_client, make_event):
    event = make_event()
    detail = organizer_client.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert f"/admin/events/{event.id}/survey" in detail
    page = f"/admin/events/{event.id}/survey"
    response = organizer_client.submit(page, _form())
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.event_id == event.id))
    assert [q.label for q in survey.questions] == ["満足度", "参考になった部"]
    assert survey.questions[1].choices == ["第一部", "第二部"]
    assert survey.send_after_minutes == 90
    assert survey.closes_at.isoformat() == "2026-09-30T08:00:00+00:00"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "survey.create"))
    assert audit is not None and audit.organizer_id is not None


def test_errors_name_the_field_and_keep_what_was_typed(organizer_client, make_event):
    event = make_event()
    page = f"/admin/events/{event.id}/survey"
    response = organizer_client.submit(
        page,
        _form(
            **{
                "questions-1-choices": "",
                "send_after_minutes": "99999999",
                "intro": "残してほしい説明",
            }
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "選択式の質問には選択肢を1行に1つずつ入力してください。" in html
    assert "0〜43200の整数で入力してください。" in html
    assert "残してほしい説明" in html and "参考になった部" in html
    assert db.session.scalar(select(Survey)) is None


def test_a_survey_without_questions_is_refused(organizer_client, make_event):
    event = make_event()
    response = organizer_client.submit(
        f"/admin/events/{event.id}/survey",
        _form(**{"questions-0-label": "", "questions-1-label": "", "questions-1-choices": ""}),
    )
    assert response.status_code == 422
    assert "質問を1つ以上入力してください。" in response.get_data(as_text=True)


def _answered_survey(make_survey, upcoming_with_attendees, anonymous=False):
    event, people = upcoming_with_attendees(3)
    survey = make_survey(event, anonymous=anonymous)
    sent = event.ends_at + timedelta(hours=1)
    followups.send_survey_mail(survey.id, sent)
    db.session.commit()
    invitations = db.session.scalars(select(SurveyInvitation).order_by(SurveyInvitation.id)).all()
    rating, parts, _next, short, comment = (str(q.id) for q in survey.questions)
    answers = [
        {rating: 5, parts: ("第一部", "第二部"), comment: '=HYPERLINK("x")とても良かった'},
        {rating: 2, parts: ("第二部",), short: "庁内研修"},
    ]
    for invitation, given in zip(invitations, answers, strict=False):
        submit_answers(invitation, AnswerInput(answers=given), sent)
    db.session.commit()
    return event, people


def test_results_show_the_rate_the_average_a_chart_per_question_and_the_comments(
    organizer_client, make_survey, upcoming_with_attendees
):
    event, people = _answered_survey(make_survey, upcoming_with_attendees)
    html = organizer_client.get(f"/admin/events/{event.id}/survey/results").get_data(as_text=True)
    assert "67%" in html  # 2 of 3
    assert "平均 3.50" in html
    assert html.count("<svg") == 3  # rating, multiple choice, single choice
    assert "<script" not in html
    assert "とても良かった" in html and "庁内研修" in html
    assert people[0].name in html  # a named survey says who wrote it


def test_an_anonymous_surveys_results_and_download_name_nobody(
    organizer_client, make_survey, upcoming_with_attendees
):
    event, people = _answered_survey(make_survey, upcoming_with_attendees, anonymous=True)
    html = organizer_client.get(f"/admin/events/{event.id}/survey/results").get_data(as_text=True)
    csv = organizer_client.get(f"/admin/events/{event.id}/survey/responses.csv")
    text = csv.get_data().decode("utf-8")
    for person in people:
        assert person.name not in html
        assert person.name not in text and person.email not in text
    assert "とても良かった" in html


def test_the_csv_download_is_excel_safe_and_the_xlsx_has_every_answer(
    organizer_client, make_survey, upcoming_with_attendees
):
    event, people = _answered_survey(make_survey, upcoming_with_attendees)
    csv = organizer_client.get(f"/admin/events/{event.id}/survey/responses.csv")
    assert csv.status_code == 200
    body = csv.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8")
    assert "'=HYPERLINK" in text  # a formula typed by an attendee stays text
    assert "第一部、第二部" in text
    xlsx = organizer_client.get(f"/admin/events/{event.id}/survey/responses.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("回答番号", "申込番号", "氏名", "所属（自治体・団体）")
    assert rows[1][2] == people[0].name and rows[1][4] == 5
    assert sheet.cell(row=2, column=9).data_type == "s"  # the comment, kept as text
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "export.survey_responses")
    )


def test_results_of_an_event_without_a_survey_are_not_found(organizer_client, make_event):
    event = make_event()
    assert organizer_client.get(f"/admin/events/{event.id}/survey/results").status_code == 404
    assert organizer_client.get(f"/admin/events/{event.id}/survey").status_code == 200


def test_a_close_before_the_follow_up_is_refused_beside_the_close_date(
    organizer_client, make_event
):
    event = make_event()  # ends 2026-08-31 12:00 JST
    response = organizer_client.submit(
        f"/admin/events/{event.id}/survey", _form(closes_at="2026-08-31 12:30")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "回答の締切は、依頼メールを送る日時" in html
    assert 'value="2026-08-31T12:30"' in html or "2026-08-31 12:30" in html


def test_anonymity_cannot_change_once_someone_answered(
    organizer_client, make_survey, upcoming_with_attendees
):
    event, _people = _answered_survey(make_survey, upcoming_with_attendees)
    page = f"/admin/events/{event.id}/survey"
    html = organizer_client.get(page).get_data(as_text=True)
    assert "回答があるため、匿名・記名の設定は変更できません。" in html
    survey = db.session.scalar(select(Survey))
    data = {f"questions-{i}-row_id": str(q.id) for i, q in enumerate(survey.questions)}
    for i, q in enumerate(survey.questions):
        data |= {f"questions-{i}-label": q.label, f"questions-{i}-type": q.type}
        data[f"questions-{i}-choices"] = "\n".join(q.choices)
    response = organizer_client.submit(page, {**data, "anonymous": "y"})
    assert response.status_code == 422
    assert (
        "匿名・記名の設定は変更できません。元の設定のまま保存してください。"
        in response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.scalar(select(Survey)).anonymous is False
