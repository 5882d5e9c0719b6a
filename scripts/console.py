"""`make console`: the local stack with the demo province and a simulated month loaded and
aggregated (plus a few nominations and the campaign report), and the web console on its
own port, until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
from typing import Any

from scripts.demo_run import OUT, demo_environment, load_month, token_for
from scripts.local_stack import LocalStack


def main() -> None:
    parser = argparse.ArgumentParser(description="The web console on the demo province")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5005")))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument(
        "--console-port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8080"))
    )
    parser.add_argument("--days", type=int, default=32, help="days of events to simulate")
    args = parser.parse_args()

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    stack = LocalStack(
        moto_port=args.moto_port,
        api_port=args.api_port,
        console_port=args.console_port,
        hub_port=0,
        scheduler=True,
        env=demo_environment(),
        quiet=True,
    )
    try:
        print("Starting the local stack (moto server + chalice local + console)…", flush=True)
        stack.start()
        _, _, campaign = load_month(stack, args.days)
        from scripts.demo import nominations, reports

        print("→ A few nominations and the campaign report, so every page has something")
        nominations.run_nominations_demo(
            stack.api_url,
            stack.admin_token(),
            campaign["campaign_id"],
            token_for=token_for,
            log=lambda line: None,
        )
        reports.generate_campaign_report(
            stack.api_url, stack.admin_token(), campaign["campaign_id"], OUT
        )
        print(
            "\nKhông Giấy console is up:\n"
            f"  Console      {stack.console_url}/\n"
            f"  Dev sign-in  {stack.console_url}/dev/sign-in  (pick a role and a unit; "
            "e.g. unit_officer of phường Nha Trang)\n"
            f"  API          {stack.api_url}   AWS (moto) {stack.moto_url}\n"
            "Data lives only as long as this runs. Ctrl-C stops everything.\n",
            flush=True,
        )
        stack.wait()
    except KeyboardInterrupt:
        print("\nstopping the console and the local stack", flush=True)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
