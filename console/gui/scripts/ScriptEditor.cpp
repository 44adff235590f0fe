#include "scripts/ScriptEditor.h"

#include "scripts/PowerShellLexer.h"
#include "scripts/QsciHeaders.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace breeze::console {

ScriptEditor::ScriptEditor(QWidget* parent) : QWidget(parent), m_editor(new QsciScintilla(this)) {
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_editor->setUtf8(true);
    m_editor->setFont(mono);
    m_editor->setMarginsFont(mono);
    m_editor->setMarginType(0, QsciScintilla::NumberMargin);
    m_editor->setMarginLineNumbers(0, true);
    m_editor->setMarginWidth(0, QFontMetrics(mono).horizontalAdvance("00000") + 6);
    m_editor->setCaretLineVisible(true);
    m_editor->setCaretLineBackgroundColor(palette().color(QPalette::AlternateBase));
    m_editor->setMarginsBackgroundColor(palette().color(QPalette::Window));
    m_editor->setMarginsForegroundColor(palette().color(QPalette::PlaceholderText));
    m_editor->setAutoIndent(true);
    m_editor->setIndentationsUseTabs(false);
    m_editor->setTabWidth(4);
    m_editor->setBraceMatching(QsciScintilla::SloppyBraceMatch);
    m_editor->setWrapMode(QsciScintilla::WrapNone);
    connect(m_editor, &QsciScintilla::textChanged, this, &ScriptEditor::textChanged);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor, 1);
    layout->addWidget(buildFindBar());

    auto* findKey = new QShortcut(QKeySequence::Find, this, [this] { showFind(false); });
    findKey->setContext(Qt::WidgetWithChildrenShortcut);
    auto* replaceKey = new QShortcut(QKeySequence(tr("Ctrl+H")), this, [this] { showFind(true); });
    replaceKey->setContext(Qt::WidgetWithChildrenShortcut);
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), m_findBar, [this] {
        m_findBar->hide();
        m_editor->setFocus();
    });
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    setLanguage("bash");
}

// Find and replace, under the text: hidden until Ctrl+F or Ctrl+H.
QWidget* ScriptEditor::buildFindBar() {
    m_findBar = new QWidget(this);
    auto* findLayout = new QVBoxLayout(m_findBar);
    findLayout->setContentsMargins(0, 0, 0, 0);
    auto* findRow = new QHBoxLayout;
    m_find = new QLineEdit(m_findBar);
    m_find->setPlaceholderText(tr("Find"));
    m_matchCase = new QCheckBox(tr("Match case"), m_findBar);
    auto* next = new QPushButton(tr("Next"), m_findBar);
    m_findStatus = new QLabel(m_findBar);
    m_findStatus->setTextFormat(Qt::PlainText);
    auto* close = new QPushButton(tr("Close"), m_findBar);
    findRow->addWidget(m_find, 1);
    findRow->addWidget(m_matchCase);
    findRow->addWidget(next);
    findRow->addWidget(m_findStatus);
    findRow->addWidget(close);
    m_replaceRow = new QWidget(m_findBar);
    auto* replaceRow = new QHBoxLayout(m_replaceRow);
    replaceRow->setContentsMargins(0, 0, 0, 0);
    m_replace = new QLineEdit(m_replaceRow);
    m_replace->setPlaceholderText(tr("Replace with"));
    auto* replaceOne = new QPushButton(tr("Replace"), m_replaceRow);
    auto* replaceEvery = new QPushButton(tr("Replace all"), m_replaceRow);
    replaceRow->addWidget(m_replace, 1);
    replaceRow->addWidget(replaceOne);
    replaceRow->addWidget(replaceEvery);
    findLayout->addLayout(findRow);
    findLayout->addWidget(m_replaceRow);
    m_findBar->hide();

    connect(m_find, &QLineEdit::returnPressed, this, [this] { findNext(m_find->text()); });
    connect(next, &QPushButton::clicked, this, [this] { findNext(m_find->text()); });
    connect(close, &QPushButton::clicked, this, [this] {
        m_findBar->hide();
        m_editor->setFocus();
    });
    connect(replaceOne, &QPushButton::clicked, this,
            [this] { replaceNext(m_find->text(), m_replace->text()); });
    connect(replaceEvery, &QPushButton::clicked, this, [this] {
        const int count = replaceAll(m_find->text(), m_replace->text());
        m_findStatus->setText(tr("%n replaced", nullptr, count));
    });
    return m_findBar;
}

void ScriptEditor::setLanguage(const QString& language) {
    if (language == m_language && m_lexer)
        return;
    m_language = language;
    QsciLexer* lexer = nullptr;
    if (language == "python")
        lexer = new QsciLexerPython(m_editor);
    else if (language == "powershell")
        lexer = new PowerShellLexer(m_editor);
    else
        lexer = new QsciLexerBash(m_editor);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    lexer->setDefaultFont(mono);
    lexer->setFont(mono);
    lexer->setDefaultPaper(palette().color(QPalette::Base));
    lexer->setPaper(palette().color(QPalette::Base));
    lexer->setDefaultColor(palette().color(QPalette::Text));
    m_editor->setLexer(lexer);
    delete m_lexer;
    m_lexer = lexer;
}

void ScriptEditor::setText(const QString& text) {
    m_editor->setText(text);
    m_editor->setModified(false);
}

QString ScriptEditor::text() const {
    return m_editor->text();
}

void ScriptEditor::setReadOnly(bool readOnly) {
    m_editor->setReadOnly(readOnly);
}

bool ScriptEditor::isModified() const {
    return m_editor->isModified();
}

void ScriptEditor::setModified(bool modified) {
    m_editor->setModified(modified);
}

void ScriptEditor::showFind(bool withReplace) {
    m_replaceRow->setVisible(withReplace);
    m_findBar->show();
    if (m_editor->hasSelectedText() && !m_editor->selectedText().contains('\n'))
        m_find->setText(m_editor->selectedText());
    m_find->setFocus();
    m_find->selectAll();
}

bool ScriptEditor::findNext(const QString& text) {
    if (text.isEmpty())
        return false;
    // Plain text (not a regular expression), wrapping, forward from the cursor.
    const bool found = m_editor->findFirst(text, false, m_matchCase->isChecked(), false, true, true);
    m_findStatus->setText(found ? QString() : tr("Not found"));
    return found;
}

int ScriptEditor::replaceNext(const QString& text, const QString& replacement) {
    if (text.isEmpty())
        return 0;
    const Qt::CaseSensitivity sensitivity =
        m_matchCase->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive;
    if (m_editor->hasSelectedText() && m_editor->selectedText().compare(text, sensitivity) == 0) {
        m_editor->replaceSelectedText(replacement);
        findNext(text);
        return 1;
    }
    findNext(text);
    return 0;
}

int ScriptEditor::replaceAll(const QString& text, const QString& replacement) {
    if (text.isEmpty())
        return 0;
    int count = 0;
    m_editor->beginUndoAction();
    // From the top, without wrapping, so each match is replaced once.
    bool found = m_editor->findFirst(text, false, m_matchCase->isChecked(), false, false, true, 0, 0);
    while (found) {
        m_editor->replace(replacement);
        ++count;
        found = m_editor->findNext();
    }
    m_editor->endUndoAction();
    return count;
}

} // namespace breeze::console
