# Test programs register themselves in the fragment of the part they test.
# Shared test support (tests/libtestsupport.a) is listed in TESTLIB_SOURCES.
