# HEYO_SANITIZE=address,undefined: builds everything (our code and the vendored sources) with those sanitizers.
set(HEYO_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined (empty: none)")
if(HEYO_SANITIZE)
  # ASan replaces malloc itself: a second allocator would hide its reports (and crash at start).
  set(HEYO_TCMALLOC OFF)
  # -O1 keeps the lane's build and run short and stacks readable; UB stops the test instead of printing and going on.
  # No vptr check: it probes memory through a pipe() and, in a process out of descriptors (tst_faults_load does that
  # on purpose), reports every virtual call as "invalid vptr"; ASan still catches calls on freed objects.
  add_compile_options(-fsanitize=${HEYO_SANITIZE} -fno-sanitize-recover=undefined -fno-sanitize=vptr
                      -fno-omit-frame-pointer -O1 -g1)
  add_link_options(-fsanitize=${HEYO_SANITIZE})
  message(STATUS "Sanitizers: ${HEYO_SANITIZE} (tcmalloc off)")
endif()
