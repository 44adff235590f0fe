getent passwd breeze >/dev/null || useradd --system --user-group --home-dir /var/lib/breeze-server --no-create-home --shell /sbin/nologin breeze
mkdir -p /var/lib/breeze-server/downloads
chmod 0700 /var/lib/breeze-server
chown -R breeze:breeze /var/lib/breeze-server
chgrp breeze /etc/breeze/breeze-server.conf && chmod 0640 /etc/breeze/breeze-server.conf
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; systemctl enable breeze-server >/dev/null 2>&1 || true; fi
