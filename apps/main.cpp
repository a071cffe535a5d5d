// tl: transfer learning on images. Parses the command line, runs one subcommand and turns
// errors into one clear line. Exit codes: 0 ok, 1 runtime error, 2 usage error.
#include <iostream>

#include "apps/commands.h"
#include "apps/common_options.h"
#include "kernels/common/error.h"

int main(int argc, char** argv) {
  CLI::App app{"tl: transfer learning on images with a from-scratch C++/CUDA engine"};
  app.require_subcommand(1);
  tl::app::CommonOptions common;
  tl::app::add_info_command(app, common);
  tl::app::add_extract_command(app, common);
  tl::app::add_train_command(app, common);
  tl::app::add_eval_command(app, common);
  tl::app::add_predict_command(app, common);
  tl::app::add_demo_command(app, common);
  tl::app::add_bench_command(app, common);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const std::exception& e) {  // tl::Error and anything else: a runtime error
    std::cerr << "tl: error: " << tl::app::one_line(e.what()) << "\n";
    return 1;
  }
  return 0;
}
