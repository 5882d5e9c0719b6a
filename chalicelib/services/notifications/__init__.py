"""Notifications by e-mail (Amazon SES; locally moto's SES plus files under out/mail/).

The modules, each imported by name:
- `compose`: the words of each kind of message (Vietnamese, text and HTML parts), built
  from structured data only: unit names, figures, dates, ids and links. No free text typed
  by anyone (a return reason, a nomination summary) and no official's name or document
  reaches a body, so no message can carry a secret document or another unit's officials;
- `collect`: what is due today: weekly digests, deadline reminders (7, 2 and 0 local days
  before; only to units that have not submitted), status changes read from the audit trails
  and report histories, and province admins' alerts (silent sources and units, alarms);
- `deliver`: the ledger claim (one message per key, whatever reruns and retries), the
  recipients' preferences (per-kind unsubscribe, SES suppression), pacing at SES's rate,
  the one-click List-Unsubscribe headers, and the `notifications` job;
- `feedback`: one-click unsubscribe links and SES bounce and complaint notifications.
"""
