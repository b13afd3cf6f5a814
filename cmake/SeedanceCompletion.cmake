# Writes the completion scripts of the built `seedance` (SEEDANCE) into DIR:
# cmake -DSEEDANCE=path/to/seedance -DDIR=out -P SeedanceCompletion.cmake
foreach(shell_and_file IN ITEMS "bash;seedance.bash" "zsh;_seedance" "fish;seedance.fish")
  list(GET shell_and_file 0 shell)
  list(GET shell_and_file 1 file)
  execute_process(COMMAND "${SEEDANCE}" completion ${shell}
    OUTPUT_FILE "${DIR}/${file}" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "`seedance completion ${shell}` failed: ${status}")
  endif()
endforeach()
