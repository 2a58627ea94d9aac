#pragma once

namespace jikken {

/// Every `jikken` verb: parses `argv` (argv[0] is the program's name), runs the verb and returns its exit
/// status. A QCoreApplication must exist. The binary's main calls it, and tests call it in-process.
int runCommandLine(int argc, char** argv);

} // namespace jikken
