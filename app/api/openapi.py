"""The OpenAPI 3.1 document of /api/v1, assembled: info, servers, tags, security and the webhooks,
around the operations (openapi_operations.py) and the components generated from the models
(openapi_schemas.py). tests/api/test_api_openapi.py keeps it true to the app's routes, and
schemathesis checks the live API against it."""

from flask import current_app, has_request_context, request

from app.api.openapi_operations import paths
from app.api.openapi_schemas import STRING, TIME, component_schemas, object_schema, ref
from app.api.openapi_surveys import survey_paths
from app.webhooks.models import EVENT_TYPES

VERSION = "1.1.0"

WEBHOOK_DESCRIPTION = (
    "コンソールの「API・Webhook」で登録したURL（https のみ。名前解決した先が公開アドレスであること。"
    "リダイレクトはたどりません）に、ワーカーが数秒以内にPOSTします（変更と同じトランザクションで"
    "送信待ちに入り、2xx 以外は 30秒・1分・2分…（最長1時間おき）で再送）。ヘッダー "
    'X-Reskilling-Signature: t=<UNIX時刻>,v1=<HMAC-SHA256(シークレット, "<t>.<本文>") の16進> で'
    "検証し、t が5分以上ずれたものは捨ててください。X-Reskilling-Delivery は再送でも同じなので、"
    "重複の除去に使えます。"
)


def _webhooks() -> dict:
    hooks = {}
    for event_type in EVENT_TYPES:
        data = "Registration" if event_type.startswith("registration.") else "Event"
        key = "registration" if data == "Registration" else "event"
        hooks[event_type] = {
            "post": {
                "summary": event_type,
                "description": WEBHOOK_DESCRIPTION,
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": object_schema(
                                {
                                    "id": STRING,
                                    "type": {"type": "string", "const": event_type},
                                    "created_at": TIME,
                                    "data": object_schema({key: ref(data)}, required=(key,)),
                                },
                                required=("id", "type", "created_at", "data"),
                            )
                        }
                    }
                },
                "responses": {"2XX": {"description": "受け取りました（それ以外は再送）"}},
            }
        }
    return hooks


def _server() -> str:
    """The address the document was fetched from, so clients call the server they asked."""
    if has_request_context():
        return request.host_url.rstrip("/")
    return current_app.config["PUBLIC_BASE_URL"]


def build_document() -> dict:
    """The whole OpenAPI 3.1 document, with this server's address."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "全国自治体リスキリングネットワーク API",
            "version": VERSION,
            "description": (
                "イベント・申込・会員・一斉配信のJSON API。時刻はISO 8601（応答は +09:00）、"
                "時差のない時刻は受け付けません。一覧は page と per_page（最大100）で、応答の next が"
                "次のページのURLです。エラーは application/problem+json（RFC 9457）で、入力の誤りは "
                "errors に項目ごとの理由が入ります。事務局向けの操作には、コンソールまたは "
                "flask create-api-token EMAIL で作るAPIトークンを Authorization: Bearer で付けます。"
            ),
        },
        "servers": [{"url": _server()}],
        "tags": [
            {"name": "events", "description": "イベント"},
            {"name": "registrations", "description": "申込"},
            {"name": "members", "description": "会員（参加のお申し込み）"},
            {"name": "announcements", "description": "一斉配信"},
            {"name": "surveys", "description": "アンケート"},
            {"name": "meta", "description": "この文書"},
        ],
        "paths": {**paths(), **survey_paths()},
        "webhooks": _webhooks(),
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "事務局のAPIトークン（rsk_…）。トークンの作成者の権限で動きます。",
                }
            },
        },
    }
