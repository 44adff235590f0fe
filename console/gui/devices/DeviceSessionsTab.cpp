#include "devices/DeviceSessionsTab.h"

#include "TerminalRecording.h"
#include "TimeText.h"
#include "remote/DesktopRecordingPlayer.h"
#include "remote/RecordingPlayer.h"
#include "widgets/InlineMessage.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
constexpr int kKind = Qt::UserRole + 1;
constexpr int kPlayable = Qt::UserRole + 2;

QString qualityDetails(const DesktopQuality& q) {
    return DeviceSessionsTab::tr(
               "%1 over %2 s: %3 of %4 pictures decoded, %5 dropped; latency (capture to decoded) "
               "p50 %6 ms, p95 %7 ms, p99 %8 ms; round trip %9 ms; decoding %10 ms a picture")
        .arg(q.codec.toUpper())
        .arg(q.seconds, 0, 'f', 0)
        .arg(q.decoded)
        .arg(q.received)
        .arg(q.dropped)
        .arg(q.latencyP50, 0, 'f', 0)
        .arg(q.latencyP95, 0, 'f', 0)
        .arg(q.latencyP99, 0, 'f', 0)
        .arg(q.roundTripMs, 0, 'f', 0)
        .arg(q.decodeMs, 0, 'f', 1);
}
} // namespace

DeviceSessionsTab::DeviceSessionsTab(ApiClient& api, QString deviceId, QWidget* parent)
    : QWidget(parent), m_client(api), m_deviceId(std::move(deviceId)), m_table(new QTableWidget(this)),
      m_play(new QPushButton(tr("Play recording"), this)), m_message(new InlineMessage(this)) {
    m_table->setColumnCount(8);
    m_table->setHorizontalHeaderLabels({tr("Kind"), tr("State"), tr("Who"), tr("Started"), tr("Ended"),
                                        tr("Sent"), tr("Received"), tr("Quality")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    auto* refresh = new QPushButton(tr("Refresh"), this);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_play);
    buttons->addWidget(refresh);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(m_table, 1);
    m_play->setEnabled(false);
    connect(refresh, &QPushButton::clicked, this, &DeviceSessionsTab::reload);
    connect(m_play, &QPushButton::clicked, this, [this] { playRecording(); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = m_table->selectionModel()->selectedRows();
        m_play->setEnabled(!rows.isEmpty() && m_table->item(rows.first().row(), 0)->data(kPlayable).toBool());
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this] { playRecording(); });
}

void DeviceSessionsTab::reload() {
    m_client.listForDevice(m_deviceId, [this](const QVector<SessionRecord>& sessions, const QString& error) {
        if (!error.isEmpty()) {
            m_message->say(InlineMessage::Kind::Error, error);
            return;
        }
        m_message->clear();
        m_table->setRowCount(static_cast<int>(sessions.size()));
        const QLocale locale;
        for (int row = 0; row < sessions.size(); ++row) {
            const SessionRecord& session = sessions[row];
            const QString kind = session.kind == QStringLiteral("terminal")  ? tr("Terminal")
                                 : session.kind == QStringLiteral("desktop") ? tr("Desktop")
                                                                             : tr("Files");
            const QStringList cells{
                session.kind == QStringLiteral("desktop") && session.recordingBytes > 0
                    ? tr("%1 (recorded, %2:%3)")
                          .arg(kind)
                          .arg(session.recordingMillis / 60000)
                          .arg(session.recordingMillis / 1000 % 60, 2, 10, QLatin1Char('0'))
                    : kind,
                session.state,
                session.actor,
                TimeText::local(TimeText::parse(session.startedAt)),
                session.endedAt.isEmpty() ? QString() : TimeText::local(TimeText::parse(session.endedAt)),
                locale.formattedDataSize(session.bytesToDevice),
                locale.formattedDataSize(session.bytesFromDevice),
                session.quality ? tr("%1 fps · %2 Mbit/s · p95 %3 ms · %4 dropped")
                                      .arg(session.quality->fps, 0, 'f', 1)
                                      .arg(session.quality->kbps / 1000, 0, 'f', 1)
                                      .arg(session.quality->latencyP95, 0, 'f', 0)
                                      .arg(session.quality->dropped)
                                : QString()};
            for (int column = 0; column < cells.size(); ++column) {
                auto* item = new QTableWidgetItem(cells[column]); // table items are plain text
                item->setData(Qt::UserRole, session.id);
                item->setData(kKind, session.kind);
                item->setData(kPlayable,
                              session.kind == QStringLiteral("terminal") || session.recordingBytes > 0);
                if (column == 1 && !session.endReason.isEmpty())
                    item->setToolTip(session.endReason.toHtmlEscaped());
                if (column == 7 && session.quality)
                    item->setToolTip(qualityDetails(*session.quality).toHtmlEscaped());
                m_table->setItem(row, column, item);
            }
        }
        m_table->resizeColumnsToContents();
        Q_EMIT loaded();
    });
}

void DeviceSessionsTab::playRecording(const QString& sessionId) {
    QString id = sessionId;
    QString kind;
    for (int row = 0; row < m_table->rowCount() && !id.isEmpty(); ++row)
        if (m_table->item(row, 0)->data(Qt::UserRole).toString() == id)
            kind = m_table->item(row, 0)->data(kKind).toString();
    if (id.isEmpty()) {
        const auto rows = m_table->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        id = m_table->item(rows.first().row(), 0)->data(Qt::UserRole).toString();
        kind = m_table->item(rows.first().row(), 0)->data(kKind).toString();
    }
    m_message->say(InlineMessage::Kind::Information, tr("Loading the recording…"));
    m_client.recording(id, [this, id, kind](const QByteArray& recording, const QString& error) {
        if (!error.isEmpty()) {
            m_message->say(InlineMessage::Kind::Error, error);
            return;
        }
        if (kind == QStringLiteral("desktop")) {
            auto playback = std::make_unique<DesktopRecordingPlayback>();
            if (!playback->load(recording)) {
                m_message->say(InlineMessage::Kind::Error,
                               tr("The recording cannot be read: %1").arg(playback->error()));
                return;
            }
            auto* player = new DesktopRecordingPlayer(std::move(playback), window()->windowTitle());
            player->setAttribute(Qt::WA_DeleteOnClose);
            player->show();
            m_message->clear();
            Q_EMIT playerOpened(player);
            return;
        }
        const QByteArray& cast = recording;
        try {
            auto* player = new RecordingPlayer(TerminalRecording::parse(cast), window()->windowTitle());
            player->setAttribute(Qt::WA_DeleteOnClose);
            player->show();
            m_message->clear();
            Q_EMIT playerOpened(player);
        } catch (const std::exception& problem) {
            m_message->say(InlineMessage::Kind::Error,
                           tr("The recording cannot be read: %1").arg(QString::fromUtf8(problem.what())));
        }
    });
}

} // namespace breeze::console
