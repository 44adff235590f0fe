#pragma once

#include "TestPostgres.h"

#include <string>

namespace breeze::test {

// "--name N" from a benchmark's command line, or `fallback`.
inline int intArgument(int argc, char** argv, const std::string& name, int fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == name)
            return std::stoi(argv[i + 1]);
    return fallback;
}

// "--postgres fast|durable": benchmarks run PostgreSQL as production does unless asked otherwise.
inline TestPostgres::Durability durabilityArgument(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--postgres")
            return std::string(argv[i + 1]) == "fast" ? TestPostgres::Durability::Fast
                                                      : TestPostgres::Durability::Durable;
    return TestPostgres::Durability::Durable;
}

} // namespace breeze::test
