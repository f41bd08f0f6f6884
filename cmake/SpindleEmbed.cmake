# spindle_embed_assets(<target> <output.cpp> <base dir> <files>...): compiles files into the binary.
# At build time (not configure time) cmake/embed_files.cmake turns the files, named relative to
# <base dir>, into <output.cpp>, which defines spindle::web::management::findAsset()
# (web/management/assets.hpp) and is added to <target>'s sources. Each file is a dependency of
# the generated source, so editing one rebuilds it; so is the script itself.
set(_spindle_embed_script ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake)

function(spindle_embed_assets target output_cpp base_dir)
  set(inputs "")
  foreach(file IN LISTS ARGN)
    list(APPEND inputs ${base_dir}/${file})
  endforeach()
  # A list cannot cross the command line as one -D value (";" separates arguments), so the names
  # travel joined by "|", which no asset name contains.
  string(REPLACE ";" "|" joined "${ARGN}")
  add_custom_command(
    OUTPUT ${output_cpp}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output_cpp} -DBASE_DIR=${base_dir} -DFILES=${joined}
            -P ${_spindle_embed_script}
    DEPENDS ${inputs} ${_spindle_embed_script}
    COMMENT "Embedding ${target}'s assets into ${output_cpp}"
    VERBATIM)
  target_sources(${target} PRIVATE ${output_cpp})
endfunction()
