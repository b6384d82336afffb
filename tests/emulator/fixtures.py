"""Known-answer signature vectors (copied once from Slack's documentation and our reference
payloads; never read from the shared folder at run time)."""

# Slack's documented example ("Verifying requests from Slack").
DOCS_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOCS_TIMESTAMP = "1531420618"
DOCS_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOCS_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

# A slash command exactly as Slack form-encodes it, with its signature.
SLASH_SECRET = "fake-signing-secret-0123456789abcdef"
SLASH_TIMESTAMP = "1760000400"
SLASH_BODY = (
    "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0FAKE0001&team_domain=acme-social-ops"
    "&channel_id=C0FAKEINC1&channel_name=incident-social&user_id=U0FAKEUSR1&user_name=dana.ops"
    "&command=%2Fincident&text=claim+INC-42&api_app_id=A0FAKEAPP1&is_enterprise_install=false"
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0FAKE0001%2F1234567890123%2FAbCdEfGhIjKlMnOpQrStUvWx"
    "&trigger_id=1234567890123.1111111111.0123456789abcdef0123456789abcdef"
)
SLASH_SIGNATURE = "v0=05f442dfae81cf178203ff7cf62d323b5e8a4435fb4f52c3b12d33dce8ae2a22"
