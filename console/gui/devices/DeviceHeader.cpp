#include "devices/DeviceHeader.h"

#include "DeviceSummary.h"
#include "DeviceTableModel.h"
#include "TimeText.h"
#include "widgets/Colours.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace breeze::console {

DeviceHeader::DeviceHeader(const DeviceTableModel& devices, const QString& deviceId, QWidget* parent)
    : QWidget(parent), m_devices(devices), m_deviceId(deviceId), m_name(new QLabel(this)),
      m_state(new QLabel(this)), m_facts(new QLabel(this)), m_ping(new QPushButton(tr("Ping"), this)),
      m_status(new InlineMessage(this)), m_tick(new QTimer(this)) {
    for (QLabel* label : {m_name, m_state, m_facts})
        label->setTextFormat(Qt::PlainText); // the agent's words
    // A font, not a style sheet: a style sheet would keep the colours of the theme it was set under.
    QFont title = m_name->font();
    title.setPointSizeF(title.pointSizeF() * 1.5);
    title.setBold(true);
    m_name->setFont(title);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* run = new QPushButton(tr("Run script…"), this);
    auto* restart = new QPushButton(tr("Restart…"), this);
    auto* terminal = new QPushButton(tr("Terminal"), this);
    terminal->setObjectName(QStringLiteral("terminal"));
    connect(terminal, &QPushButton::clicked, this, &DeviceHeader::terminalRequested);
    auto* files = new QPushButton(tr("Files"), this);
    files->setObjectName(QStringLiteral("files"));
    connect(files, &QPushButton::clicked, this, &DeviceHeader::filesRequested);
    // A click opens the desktop to control it; the arrow offers watching only, and recording (the server's
    // policy decides whether a recording may be asked for, or is made anyway).
    auto* desktop = new QToolButton(this);
    desktop->setObjectName(QStringLiteral("desktop"));
    desktop->setPopupMode(QToolButton::MenuButtonPopup);
    desktop->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* open = new QAction(tr("Desktop"), desktop);
    open->setToolTip(tr("See and control the device's screen"));
    connect(open, &QAction::triggered, this, [this] { Q_EMIT desktopRequested(false, false); });
    desktop->setDefaultAction(open);
    auto* options = new QMenu(desktop);
    connect(options->addAction(tr("Watch only")), &QAction::triggered, this,
            [this] { Q_EMIT desktopRequested(true, false); });
    connect(options->addAction(tr("Control and record")), &QAction::triggered, this,
            [this] { Q_EMIT desktopRequested(false, true); });
    connect(options->addAction(tr("Watch and record")), &QAction::triggered, this,
            [this] { Q_EMIT desktopRequested(true, true); });
    desktop->setMenu(options);
    connect(run, &QPushButton::clicked, this, &DeviceHeader::runScriptRequested);
    connect(m_ping, &QPushButton::clicked, this, &DeviceHeader::pingRequested);
    connect(restart, &QPushButton::clicked, this, &DeviceHeader::restartRequested);
    auto* top = new QHBoxLayout;
    top->addWidget(m_name);
    top->addWidget(m_state);
    top->addStretch();
    top->addWidget(terminal);
    top->addWidget(files);
    top->addWidget(desktop);
    top->addWidget(run);
    top->addWidget(m_ping);
    top->addWidget(restart);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_facts);
    layout->addWidget(m_status);
    connect(&devices, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& from, const QModelIndex& to) {
                const int row = m_devices.rowOf(m_deviceId);
                if (row >= from.row() && row <= to.row())
                    refresh();
            });
    connect(&devices, &QAbstractItemModel::modelReset, this, &DeviceHeader::refresh);
    connect(&devices, &QAbstractItemModel::rowsInserted, this, &DeviceHeader::refresh);
    // Uptime moves on by itself.
    m_tick->setInterval(60000);
    connect(m_tick, &QTimer::timeout, this, &DeviceHeader::refresh);
    m_tick->start();
    refresh();
}

void DeviceHeader::setSummary(const DeviceSummary& summary) {
    m_summaryName = summary.title();
    m_summaryStatus = summary.status;
    m_summaryOs = summary.os;
    refresh();
}

QString DeviceHeader::facts() const {
    return m_facts->text();
}

void DeviceHeader::refresh() {
    const Device* device = m_devices.device(m_deviceId);
    if (!device) {
        m_name->setText(m_summaryName);
        m_state->setText(m_summaryStatus);
        m_facts->setText(m_summaryOs);
        return;
    }
    const int row = m_devices.rowOf(m_deviceId);
    m_name->setText(device->hostname.isEmpty() ? device->identity : device->hostname);
    m_state->setText(m_devices.data(m_devices.index(row, DeviceTableModel::Status)).toString());
    QPalette palette = m_state->palette();
    palette.setColor(QPalette::WindowText, colour(device->online() ? Colour::Success : Colour::Muted));
    m_state->setPalette(palette);
    QStringList facts{device->os.isEmpty() ? tr("operating system not reported") : device->os};
    if (!device->lastUser.isEmpty())
        facts << tr("user %1").arg(device->lastUser);
    if (const qint64 uptime = device->uptimeSeconds(QDateTime::currentDateTimeUtc()); uptime >= 0)
        facts << tr("up %1").arg(TimeText::span(uptime));
    else if (device->lastSeen.isValid())
        facts << tr("last seen %1").arg(TimeText::local(device->lastSeen));
    const QStringList addresses =
        device->addresses.isEmpty() ? QStringList{device->lastAddress} : device->addresses;
    if (!addresses.join("").isEmpty())
        facts << addresses.join(", ");
    m_facts->setText(facts.join("  ·  "));
}

} // namespace breeze::console
