# Compiler flags shared by every Spindle target, via the spindle_flags interface library.
add_library(spindle_flags INTERFACE)
target_compile_options(spindle_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                               -Wnon-virtual-dtor -Wno-missing-field-initializers)
target_include_directories(spindle_flags INTERFACE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(spindle_flags INTERFACE SPINDLE_VERSION="${PROJECT_VERSION}"
                                                   BOOST_ASIO_NO_DEPRECATED)
if(SPINDLE_WERROR)
  target_compile_options(spindle_flags INTERFACE -Werror)
endif()
if(SPINDLE_SANITIZE)
  target_compile_options(spindle_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(spindle_flags INTERFACE -fsanitize=address,undefined)
endif()
