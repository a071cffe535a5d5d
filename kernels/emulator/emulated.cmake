# Helpers of the emulated CUDA build (TL_EMULATOR); see kernels/emulator/CMakeLists.txt.

set(TL_EMULATE_CU_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/emulate_cu.cmake)

# tl_emulated_sources(OUT files...): for each .cu file, a generated .cpp (emulate_cu.cmake,
# rerun when the .cu changes) through which the same source compiles as host C++ for the
# emulator. Call it in the folder of the target that compiles the result.
function(tl_emulated_sources out)
  set(generated "")
  foreach(cu ${ARGN})
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${cu})
    string(REPLACE "/" "__" flat ${rel})
    set(cpp ${PROJECT_BINARY_DIR}/emulated/${flat}.cpp)
    add_custom_command(OUTPUT ${cpp}
                       COMMAND ${CMAKE_COMMAND} -DIN=${cu} -DOUT=${cpp} -P ${TL_EMULATE_CU_SCRIPT}
                       DEPENDS ${cu} ${TL_EMULATE_CU_SCRIPT}
                       COMMENT "Emulated build: ${rel} as host C++" VERBATIM)
    get_filename_component(dir ${cu} DIRECTORY)
    set_source_files_properties(${cpp} PROPERTIES INCLUDE_DIRECTORIES ${dir})  # for #include "x.h"
    list(APPEND generated ${cpp})
  endforeach()
  set(${out} ${generated} PARENT_SCOPE)
endfunction()

# tl_emulated_clone(target): target_emulated with the same sources and settings, linked to
# the emulated versions of tl's libraries instead of the real ones.
# Called (deferred to the end of the folder) from engine/ and loaders/, where the imported
# targets they link (HDF5, ZLIB, ...) are visible.
function(tl_emulated_clone target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(absolute "")
  foreach(s ${sources})
    if(IS_ABSOLUTE ${s})
      list(APPEND absolute ${s})
    else()
      list(APPEND absolute ${source_dir}/${s})
    endif()
  endforeach()
  add_library(${target}_emulated STATIC ${absolute})
  foreach(prop INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS INTERFACE_INCLUDE_DIRECTORIES
               INTERFACE_SYSTEM_INCLUDE_DIRECTORIES INTERFACE_COMPILE_DEFINITIONS LINK_LIBRARIES
               INTERFACE_LINK_LIBRARIES)
    get_target_property(values ${target} ${prop})
    if(values)
      set(renamed "")
      foreach(v ${values})
        string(REGEX REPLACE "(^|[^A-Za-z0-9_])(tl_kernels|tl_engine|tl_loaders)([^A-Za-z0-9_]|$)"
                             "\\1\\2_emulated\\3" v "${v}")
        list(APPEND renamed "${v}")
      endforeach()
      set_property(TARGET ${target}_emulated PROPERTY ${prop} "${renamed}")
    endif()
  endforeach()
  # The copied INCLUDE_DIRECTORIES lose their SYSTEM mark for the clone's own sources; mark
  # them again so third-party headers (stb, HDF5) do not fail -Werror builds.
  get_target_property(system_dirs ${target} INTERFACE_SYSTEM_INCLUDE_DIRECTORIES)
  if(system_dirs)
    target_include_directories(${target}_emulated SYSTEM PRIVATE ${system_dirs})
  endif()
endfunction()

function(tl_emulated_clone_at_end target)
  if(TL_EMULATOR)
    # DEFER evaluates its arguments late: bake the name in now.
    cmake_language(EVAL CODE "cmake_language(DEFER CALL tl_emulated_clone ${target})")
  endif()
endfunction()
