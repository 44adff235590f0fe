if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl stop breeze-server || true
    systemctl disable breeze-server >/dev/null 2>&1 || true
fi
