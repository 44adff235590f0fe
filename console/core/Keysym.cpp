#include "Keysym.h"

#include <QHash>

namespace breeze::console {

namespace {
// Keys without text, as X names them (X11/keysymdef.h).
const QHash<int, quint32>& specialKeys() {
    static const QHash<int, quint32> keys{
        {Qt::Key_Escape, 0xff1b},    {Qt::Key_Tab, 0xff09},     {Qt::Key_Backtab, 0xfe20},
        {Qt::Key_Backspace, 0xff08}, {Qt::Key_Return, 0xff0d},  {Qt::Key_Enter, 0xff8d},
        {Qt::Key_Insert, 0xff63},    {Qt::Key_Delete, 0xffff},  {Qt::Key_Pause, 0xff13},
        {Qt::Key_Print, 0xff61},     {Qt::Key_SysReq, 0xff15},  {Qt::Key_Home, 0xff50},
        {Qt::Key_End, 0xff57},       {Qt::Key_Left, 0xff51},    {Qt::Key_Up, 0xff52},
        {Qt::Key_Right, 0xff53},     {Qt::Key_Down, 0xff54},    {Qt::Key_PageUp, 0xff55},
        {Qt::Key_PageDown, 0xff56},  {Qt::Key_Shift, 0xffe1},   {Qt::Key_Control, 0xffe3},
        {Qt::Key_Meta, 0xffeb},      {Qt::Key_Alt, 0xffe9},     {Qt::Key_AltGr, 0xfe03},
        {Qt::Key_CapsLock, 0xffe5},  {Qt::Key_NumLock, 0xff7f}, {Qt::Key_ScrollLock, 0xff14},
        {Qt::Key_Menu, 0xff67},      {Qt::Key_Space, 0x0020},   {Qt::Key_Super_L, 0xffeb},
        {Qt::Key_Super_R, 0xffec},
    };
    return keys;
}
} // namespace

quint32 keysymFor(int qtKey, const QString& text, quint32 native) {
    if (native != 0)
        return native;
    if (const auto special = specialKeys().constFind(qtKey); special != specialKeys().constEnd())
        return *special;
    if (qtKey >= Qt::Key_F1 && qtKey <= Qt::Key_F35)
        return 0xffbe + static_cast<quint32>(qtKey - Qt::Key_F1);
    // A key that typed one character: Latin-1 keysyms are the character itself; others are Unicode keysyms.
    const auto codePoints = text.toUcs4();
    if (codePoints.size() == 1 && codePoints[0] >= 0x20 && codePoints[0] != 0x7f) {
        const char32_t c = codePoints[0];
        if (c < 0x100)
            return c;
        return 0x01000000 | c;
    }
    // Ctrl+letter produces a control character as text: the letter is what was pressed.
    if (qtKey >= Qt::Key_A && qtKey <= Qt::Key_Z)
        return static_cast<quint32>('a' + (qtKey - Qt::Key_A));
    if (qtKey >= 0x20 && qtKey < 0x7f)
        return static_cast<quint32>(qtKey);
    return 0;
}

} // namespace breeze::console
