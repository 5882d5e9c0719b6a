#!/bin/sh
# Send signed events with curl and openssl (Standard Webhooks).
#   KG_URL=... KG_SOURCE=eoffice-1 KG_SECRET=whsec_... sh send_events.sh events.json
set -eu
BODY_FILE="$1"
MSG_ID="msg_$(openssl rand -hex 16)"
TS="$(date +%s)"
KEY_HEX="$(printf '%s' "${KG_SECRET#whsec_}" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')"
SIG="$( { printf '%s.%s.' "$MSG_ID" "$TS"; cat "$BODY_FILE"; } \
  | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_HEX" -binary | openssl base64 -A)"
curl -sS -X POST "$KG_URL/webhooks/$KG_SOURCE" \
  -H "Content-Type: application/json" \
  -H "webhook-id: $MSG_ID" -H "webhook-timestamp: $TS" -H "webhook-signature: v1,$SIG" \
  --data-binary "@$BODY_FILE" -w '\n%{http_code}\n'
