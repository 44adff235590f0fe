#pragma once

#include <QString>
#include <QtGlobal>

namespace breeze::console {

// The X keysym for a key the technician pressed, which is what the device types (so the character on the
// technician's keyboard arrives, whatever either side's layout). Under X11 the key event carries its keysym
// already (`native`); elsewhere it is worked out from Qt's key code and the text the key produced. 0: none.
quint32 keysymFor(int qtKey, const QString& text, quint32 native);

} // namespace breeze::console
