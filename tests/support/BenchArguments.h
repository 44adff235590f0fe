#pragma once

#include <string>

namespace breeze::test {

// "--name N" from a benchmark's command line, or `fallback`.
inline int intArgument(int argc, char** argv, const std::string& name, int fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == name)
            return std::stoi(argv[i + 1]);
    return fallback;
}

} // namespace breeze::test
