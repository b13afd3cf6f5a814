# Warnings every target of this project is built with; -Werror when SEEDANCE_WARNINGS_AS_ERRORS is on.
function(seedance_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(SEEDANCE_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
