// Static C++: iostream, std::string, std::vector, a map, and an exception caught.
#include <iomanip>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  std::vector<std::string> words{"static", "C++", "on", "the", "CPU", "model"};
  std::map<std::string, int> lengths;
  for (const auto &w : words) lengths[w] = static_cast<int>(w.size());
  for (const auto &[w, n] : lengths) std::cout << std::setw(8) << w << ' ' << n << '\n';
  std::cout << std::fixed << std::setprecision(4) << 22.0 / 7 << ' ' << std::hex << 48879 << std::dec << '\n';
  try {
    throw std::runtime_error("thrown and caught");
  } catch (const std::exception &e) {
    std::cout << e.what() << std::endl;
  }
  std::cerr << "argc " << argc << ' ' << (argc > 1 ? argv[1] : "") << std::endl;
  return 0;
}
