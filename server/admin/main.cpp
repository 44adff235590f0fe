// breeze-admin: manage a Breeze server from a shell or a script, through its REST API.
#include "AdminCli.h"

#include <iostream>

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    breeze::admin::AdminCli cli(std::cin, std::cout, std::cerr);
    return cli.run(args);
}
