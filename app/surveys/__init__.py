"""Post-event surveys (アンケート): the questionnaire of an event (models, inputs, definition),
the follow-up mail and its one reminder (followups, notifications), answering through a
personal link (answering, views), and the results with their charts and downloads (results,
charts, tables)."""
