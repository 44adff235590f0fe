#include "administration/EnrollmentKeyDialog.h"

#include "ListLoader.h"
#include "widgets/InlineMessage.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonObject>
#include <QLineEdit>
#include <QPointer>
#include <QSpinBox>
#include <QSslCertificate>
#include <QVBoxLayout>
#include <stdexcept>

namespace breeze::console {

EnrollmentKeyDialog::EnrollmentKeyDialog(RecordClient& records, std::function<void()> made,
                                         std::function<void(const QString&)> installLine, QWidget* parent)
    : QDialog(parent), m_records(records), m_made(std::move(made)), m_installLine(std::move(installLine)),
      m_site(new QComboBox(this)), m_name(new QLineEdit(this)), m_days(new QSpinBox(this)),
      m_uses(new QSpinBox(this)), m_problem(new InlineMessage(this)) {
    setWindowTitle(tr("New enrollment key"));
    m_days->setRange(1, 365);
    m_days->setValue(7);
    m_days->setSuffix(tr(" days"));
    m_uses->setRange(0, 100000);
    m_uses->setSpecialValueText(tr("unlimited"));
    m_uses->setValue(25);
    auto* form = new QFormLayout;
    form->addRow(tr("Site"), m_site);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Valid for"), m_days);
    form->addRow(tr("Machines"), m_uses);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    const QPointer<QComboBox> site(m_site);
    records.list(RecordKind::Site, [site](const QJsonArray& sites, const QString&) {
        if (site)
            for (const auto& entry : sites)
                site->addItem(recordName(entry.toObject()), recordId(entry.toObject()));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, &EnrollmentKeyDialog::create);
}

void EnrollmentKeyDialog::create() {
    const NewEnrollmentKey key{m_site->currentData().toString(), m_name->text(), m_days->value(),
                               m_uses->value()};
    // The answer may come after the dialog was closed: nothing of the dialog is touched then.
    const QPointer<EnrollmentKeyDialog> self(this);
    ApiClient& api = m_records.api();
    m_records.createEnrollmentKey(key, [self, &api, made = m_made, installLine = m_installLine](
                                           const QString& secret, const QString& error) {
        if (!self) {
            if (error.isEmpty())
                made(); // made after all: it belongs in the list (its secret went with the dialog)
            return;
        }
        if (!error.isEmpty()) {
            self->m_problem->showError(error);
            return;
        }
        const auto cas = api.sslConfiguration().caCertificates();
        QString line;
        try {
            line =
                agentInstallCommand(api.server(), cas.isEmpty() ? QByteArray() : cas.last().toPem(), secret);
        } catch (const std::invalid_argument& unsafe) {
            self->m_problem->showError(
                tr("The key was made, but no install line can be built: %1").arg(unsafe.what()));
            made();
            return;
        }
        self->accept();
        installLine(line);
        made();
    });
}

} // namespace breeze::console
