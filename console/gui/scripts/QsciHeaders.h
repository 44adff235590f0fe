#pragma once

// QScintilla's headers use Qt's `slots` and `signals` keywords, which this project switches off
// (QT_NO_KEYWORDS, so that no macro collides with other libraries): they get them back here, for these
// headers only.
#define slots Q_SLOTS
#define signals Q_SIGNALS
#include <Qsci/qscilexerbash.h>
#include <Qsci/qscilexercustom.h>
#include <Qsci/qscilexerdiff.h>
#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>
#undef slots
#undef signals
