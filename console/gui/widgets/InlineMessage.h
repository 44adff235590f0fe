#pragma once

#include <QLabel>

namespace breeze::console {

// The one way a view says how something went, inside the view: an error, a warning, a success or plain
// information, in the theme's colour for it; hidden when there is nothing to say. Always plain text: messages
// quote what servers, agents and users wrote.
class InlineMessage : public QLabel {
    Q_OBJECT
public:
    enum class Kind { None, Information, Success, Warning, Error };

    explicit InlineMessage(QWidget* parent = nullptr);

    void showError(const QString& text) { show(Kind::Error, text); }
    void showWarning(const QString& text) { show(Kind::Warning, text); }
    void showSuccess(const QString& text) { show(Kind::Success, text); }
    void showInformation(const QString& text) { show(Kind::Information, text); }
    void say(Kind kind, const QString& text) { show(kind, text); }
    void clear();
    Kind kind() const { return m_kind; }
    // The text while one is shown, else empty.
    QString message() const { return m_kind == Kind::None ? QString() : text(); }

private:
    void show(Kind kind, const QString& text);
    Kind m_kind = Kind::None;
};

} // namespace breeze::console
