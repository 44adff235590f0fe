if [ "$1" -eq 0 ]; then rm -rf /var/lib/breeze-agent; fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
