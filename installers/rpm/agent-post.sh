mkdir -p /var/lib/breeze-agent
chmod 0700 /var/lib/breeze-agent
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    if [ "$1" -gt 1 ] && [ -f /var/lib/breeze-agent/state.json ]; then systemctl restart breeze-agent || true; fi
fi
