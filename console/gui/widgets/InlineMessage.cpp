#include "widgets/InlineMessage.h"

#include "widgets/Colours.h"

namespace breeze::console {

InlineMessage::InlineMessage(QWidget* parent) : QLabel(parent) {
    setTextFormat(Qt::PlainText);
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    hide();
}

void InlineMessage::show(Kind kind, const QString& text) {
    if (text.isEmpty()) {
        clear();
        return;
    }
    m_kind = kind;
    switch (kind) {
    case Kind::Error:
        setStyleSheet(colourStyle(Colour::Error));
        break;
    case Kind::Warning:
        setStyleSheet(colourStyle(Colour::Warning));
        break;
    case Kind::Success:
        setStyleSheet(colourStyle(Colour::Success));
        break;
    case Kind::Information:
    case Kind::None:
        setStyleSheet(QString());
        break;
    }
    setText(text);
    QLabel::show();
}

void InlineMessage::clear() {
    m_kind = Kind::None;
    QLabel::clear();
    hide();
}

} // namespace breeze::console
