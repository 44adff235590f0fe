#!/usr/bin/python3
"""A real SMTP server for the alert tests (Debian's python3-aiosmtpd): STARTTLS or TLS from the first byte,
AUTH required (PLAIN or LOGIN, only inside TLS), every message written to OUT as one JSON file with what the
session proved (TLS, the user it authenticated as). Prints "ready" once it accepts connections."""
import argparse
import json
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult


class Keep:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "login": session.auth_data.login.decode() if session.auth_data else None,
        }
        path = os.path.join(self.out, "%06d.json" % self.count)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 kept"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--mode", choices=["starttls", "tls"], default="starttls")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == args.user and auth_data.password.decode() == args.password
        # handled=False: aiosmtpd answers a failure with 535 itself.
        return AuthResult(success=ok, handled=False) if not ok else AuthResult(success=True, auth_data=auth_data)

    handler = Keep(args.out)

    class Starting(Controller):
        def factory(self):
            # With TLS from the first byte aiosmtpd does not count the connection as TLS for AUTH (it only
            # knows STARTTLS), so the check is left to the TLS listener itself there.
            return SMTP(self.handler, hostname="smtp.test", authenticator=authenticate, auth_required=True,
                        auth_require_tls=args.mode == "starttls", require_starttls=args.mode == "starttls",
                        tls_context=context if args.mode == "starttls" else None)

    controller = Starting(handler, hostname="127.0.0.1", port=args.port,
                          ssl_context=context if args.mode == "tls" else None)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
