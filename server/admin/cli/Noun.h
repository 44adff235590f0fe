#pragma once

namespace breeze::admin {

class CliContext;

// One noun of breeze-admin (`devices`, `scripts`, …): its name, its lines of the usage text, and what runs
// it. Each lives in its own file under cli/ and is listed once in cli/Nouns.cpp.
struct Noun {
    const char* name;
    const char* usage;
    int (*run)(CliContext& cli);
};

// Every noun, in the order the usage text lists them.
const Noun* const* nouns();
int nounCount();

} // namespace breeze::admin
