if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl stop breeze-agent || true
    systemctl disable breeze-agent >/dev/null 2>&1 || true
fi
