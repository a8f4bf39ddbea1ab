"""Local stand-ins for the SMS providers' HTTP APIs, for tests and failure drills. Never in production.

Each fake answers SendSms the way its provider does (checking action, version, signature header,
sign name, template code, parameters and numbers, without verifying the signature cryptographically),
keeps every accepted message and can be switched to fail. It also answers the provider's query of
what was sent (Alibaba's QuerySendDetails, Tencent's PullSmsSendStatusByPhoneNumber) from the
accepted messages; an entry's "send_status" (Alibaba, 3 by default) or "report_status" (Tencent,
"SUCCESS") can be changed in a test. Standalone:

    python -m notifications.fakes.aliyun --port 18101 --record var/sms-aliyun.jsonl
    python -m notifications.fakes.tencent --port 18102 --record var/sms-tencent.jsonl

and point the system at it with SMS_ENDPOINT=http://127.0.0.1:18101 (any credentials). Control:

    GET    /_fake/messages        accepted messages, oldest first (JSON list)
    DELETE /_fake/messages        forget them (the --record file is kept)
    GET    /_fake/mode            the current mode
    POST   /_fake/mode            {"mode": "ok" | "throttle" | "down" | "bad_gateway" | "permanent" | "slow"
                                   | "error", "code": "...", "status": 200, "delay": 10}

Modes: ok answers success; throttle answers the provider's per-number flow-control error; down
answers HTTP 503; bad_gateway answers a proxy's HTML 502 page; permanent answers "no balance";
slow handles the request at once (a send is accepted and recorded, as a real provider takes a
request whose client has gone away) but waits `delay` seconds (10) before answering; error answers `code` with HTTP `status`.
The mode can also be set at start with --mode or FAKE_SMS_MODE. Stopping the process gives
"connection refused". Nothing here imports Django.
"""
