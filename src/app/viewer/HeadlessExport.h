#pragma once

namespace jikken {

class RegistryClient;
class ViewerCache;
struct ViewerCommandLine;

/// `jikken-desktop --viewer … --export FILE`: opens the sources, draws the figure into FILE and says
/// what it wrote, with no window (figures from a script, for slides). Returns the exit status; every
/// problem is one line on stderr.
namespace HeadlessExport {

int run(const ViewerCommandLine& line, RegistryClient* registry, ViewerCache& cache);

} // namespace HeadlessExport

} // namespace jikken
