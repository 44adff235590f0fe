#include "alerts/ConditionParser.h"

#include "encoding/AsciiCase.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace breeze::server {

namespace {
struct Token {
    enum class Kind { Word, Number, Percent, Greater, Less, Text, End };
    Kind kind = Kind::End;
    std::string text;
};

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

std::vector<Token> tokenise(const std::string& input) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < input.size()) {
        const char c = input[i];
        if (isSpace(c)) {
            ++i;
        } else if (c == '"') {
            std::string text;
            ++i;
            bool closed = false;
            while (i < input.size()) {
                if (input[i] == '\\' && i + 1 < input.size()) {
                    text += input[i + 1];
                    i += 2;
                } else if (input[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    text += input[i++];
                }
            }
            if (!closed)
                throw ConditionError("a quoted name is not closed with \"");
            tokens.push_back({Token::Kind::Text, text});
        } else if (c == '>' || c == '<') {
            tokens.push_back({c == '>' ? Token::Kind::Greater : Token::Kind::Less, std::string(1, c)});
            ++i;
        } else if (c == '%') {
            tokens.push_back({Token::Kind::Percent, "%"});
            ++i;
        } else if (isDigit(c)) {
            std::size_t end = i;
            while (end < input.size() && (isDigit(input[end]) || input[end] == '.'))
                ++end;
            tokens.push_back({Token::Kind::Number, input.substr(i, end - i)});
            i = end;
        } else {
            std::size_t end = i;
            while (end < input.size() && !isSpace(input[end]) && input[end] != '"' && input[end] != '>' &&
                   input[end] != '<' && input[end] != '%')
                ++end;
            tokens.push_back({Token::Kind::Word, input.substr(i, end - i)});
            i = end;
        }
    }
    tokens.push_back({Token::Kind::End, ""});
    return tokens;
}

class Reader {
public:
    explicit Reader(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}

    const Token& peek() const { return m_tokens[m_at]; }
    Token next() { return m_tokens[m_at < m_tokens.size() - 1 ? m_at++ : m_at]; }
    bool atEnd() const { return peek().kind == Token::Kind::End; }
    // Consumes the keyword when it comes next.
    bool accept(const char* keyword) {
        if (peek().kind == Token::Kind::Word && encoding::lowerAscii(peek().text) == keyword) {
            ++m_at;
            return true;
        }
        return false;
    }
    void expect(const char* keyword, const char* context) {
        if (!accept(keyword))
            throw ConditionError(std::string("expected \"") + keyword + "\" " + context + ", found " +
                                 describe(peek()));
    }
    static std::string describe(const Token& token) {
        return token.kind == Token::Kind::End ? std::string("the end") : "\"" + token.text + "\"";
    }

private:
    std::vector<Token> m_tokens;
    std::size_t m_at = 0;
};

double number(const Token& token, const char* context) {
    if (token.kind != Token::Kind::Number || std::count(token.text.begin(), token.text.end(), '.') > 1 ||
        token.text.back() == '.' || token.text.size() > 24)
        throw ConditionError(std::string("expected a number ") + context + ", found " +
                             Reader::describe(token));
    return std::strtod(token.text.c_str(), nullptr);
}

int duration(Reader& reader, const char* context) {
    const double amount = number(reader.next(), context);
    const Token unit = reader.next();
    const std::string name = unit.kind == Token::Kind::Word ? encoding::lowerAscii(unit.text) : "";
    double seconds = 0;
    if (name == "s" || name == "sec" || name == "secs" || name == "second" || name == "seconds")
        seconds = amount;
    else if (name == "m" || name == "min" || name == "mins" || name == "minute" || name == "minutes")
        seconds = amount * 60;
    else if (name == "h" || name == "hour" || name == "hours")
        seconds = amount * 3600;
    else if (name == "d" || name == "day" || name == "days")
        seconds = amount * 86400;
    else
        throw ConditionError(std::string("expected a unit of time (s, m, h or d) ") + context + ", found " +
                             Reader::describe(unit));
    if (seconds != std::floor(seconds) || seconds > ConditionSpec::kLongestSeconds)
        throw ConditionError(std::string("a duration ") + context +
                             " must be whole seconds and at most 7 days");
    return static_cast<int>(seconds);
}

struct Amount {
    double value = 0;
    ConditionSpec::Unit unit = ConditionSpec::Unit::Percent;
};

Amount amount(Reader& reader, const char* context) {
    Amount result{number(reader.next(), context), ConditionSpec::Unit::Percent};
    if (reader.peek().kind == Token::Kind::Percent) {
        reader.next();
        return result;
    }
    struct Scale {
        const char* name;
        double size;
    };
    static constexpr std::array<Scale, 9> kScales{{{"b", 1.0},
                                                   {"kb", 1e3},
                                                   {"mb", 1e6},
                                                   {"gb", 1e9},
                                                   {"tb", 1e12},
                                                   {"kib", 1024.0},
                                                   {"mib", 1048576.0},
                                                   {"gib", 1073741824.0},
                                                   {"tib", 1099511627776.0}}};
    if (reader.peek().kind == Token::Kind::Word) {
        const std::string name = encoding::lowerAscii(reader.peek().text);
        for (const auto& scale : kScales)
            if (name == scale.name) {
                reader.next();
                return {std::round(result.value * scale.size), ConditionSpec::Unit::Bytes};
            }
    }
    throw ConditionError(std::string("expected % or a size unit (GB, MiB, ...) ") + context + ", found " +
                         Reader::describe(reader.peek()));
}

ConditionSpec::Comparison comparison(Reader& reader, const char* context) {
    const Token token = reader.next();
    if (token.kind == Token::Kind::Greater ||
        (token.kind == Token::Kind::Word && encoding::lowerAscii(token.text) == "above"))
        return ConditionSpec::Comparison::Above;
    if (token.kind == Token::Kind::Less ||
        (token.kind == Token::Kind::Word && encoding::lowerAscii(token.text) == "below"))
        return ConditionSpec::Comparison::Below;
    throw ConditionError(std::string("expected > or < ") + context + ", found " + Reader::describe(token));
}
} // namespace

ConditionSpec ConditionParser::parse(const std::string& expression) {
    if (expression.size() > kLongestExpression)
        throw ConditionError("a condition is at most 500 characters");
    Reader reader(tokenise(expression));
    ConditionSpec spec;
    if (reader.peek().kind != Token::Kind::Word)
        throw ConditionError(
            "a condition starts with what it watches: offline, cpu, memory, swap or disk_free");
    const std::string subject = encoding::lowerAscii(reader.next().text);
    if (subject == "offline") {
        spec.kind = ConditionSpec::Kind::Offline;
        reader.expect("for", "after offline (offline for 5m)");
        spec.holdSeconds = duration(reader, "after \"for\"");
    } else {
        if (subject == "cpu")
            spec.metric = ConditionSpec::Metric::Cpu;
        else if (subject == "memory" || subject == "mem")
            spec.metric = ConditionSpec::Metric::Memory;
        else if (subject == "swap")
            spec.metric = ConditionSpec::Metric::Swap;
        else if (subject == "disk_free" || subject == "disk")
            spec.metric = ConditionSpec::Metric::DiskFree;
        else
            throw ConditionError("unknown condition \"" + subject +
                                 "\": write offline, cpu, memory, swap or disk_free");
        spec.comparison = comparison(reader, "after the metric");
        const Amount threshold = amount(reader, "as the threshold");
        spec.threshold = threshold.value;
        spec.unit = threshold.unit;
        if (reader.accept("on")) {
            const Token mount = reader.next();
            if (mount.kind != Token::Kind::Word && mount.kind != Token::Kind::Text)
                throw ConditionError("expected a mount point after \"on\", found " + Reader::describe(mount));
            spec.mount = mount.text;
            if (spec.mount.empty())
                throw ConditionError("the mount point after \"on\" is empty");
        }
        if (reader.accept("for"))
            spec.holdSeconds = duration(reader, "after \"for\"");
        if (reader.accept("clear")) {
            const auto clearSide = comparison(reader, "after \"clear\"");
            if (clearSide == spec.comparison)
                throw ConditionError(std::string("an alert on ") +
                                     (spec.comparison == ConditionSpec::Comparison::Above
                                          ? "> clears with <"
                                          : "< clears with >"));
            const Amount clear = amount(reader, "after \"clear\"");
            if (clear.unit != spec.unit)
                throw ConditionError("the clear threshold must be in the threshold's unit");
            spec.clearThreshold = clear.value;
        }
        spec.healthySeconds = std::min(spec.holdSeconds, 600);
        if (reader.accept("healthy")) {
            reader.expect("for", "after \"healthy\"");
            spec.healthySeconds = duration(reader, "after \"healthy for\"");
        }
    }
    if (!reader.atEnd())
        throw ConditionError("unexpected " + Reader::describe(reader.peek()) +
                             " at the end of the condition");
    spec.validate();
    return spec;
}

} // namespace breeze::server
