"""個人情報の取り扱いについて: the purpose of use, how members correct or delete their own record,
and how long data is kept, in step with the retention setting."""

import html


def test_the_privacy_page_states_self_service_and_the_retention_period(app, client):
    app.config["RETENTION_MONTHS"] = 18
    page = html.unescape(client.get("/privacy").get_data(as_text=True))
    assert "利用目的" in page
    assert "ご自身で登録内容の確認・変更と退会ができます" in page
    assert "イベントの終了から18 か月後" in page
    assert app.config["SECRETARIAT_CONTACT"] in page


def test_the_english_privacy_page_says_the_same(app, client):
    page = html.unescape(client.get("/privacy", headers={"Accept-Language": "en"}).get_data(True))
    assert "24 months after the event ends" in page
