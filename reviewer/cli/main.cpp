#include "reviewer/cli/cli.h"

int main(int argc, char** argv) { return reviewer::run_cli(argc, argv); }
