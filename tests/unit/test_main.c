/*
 * test_main.c - the CUnit runner for tests/unit/.
 *
 * Each tests/unit/test_NAME.c defines void register_NAME_tests(void) that
 * adds its suites; the Makefile (tests/tests.mk) writes unit_list.h with
 * one UNIT_TEST(NAME) line per file, so a new test file needs no edit here.
 *
 *   build/tests/unit/run-unit            run every suite
 *   build/tests/unit/run-unit memory     run the suites whose name contains "memory"
 *
 * Ends with "unit: N passed, N failed" (tests, not assertions) and exits
 * non-zero when anything failed.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>

#define UNIT_TEST(name) void register_##name##_tests(void);
#include "unit_list.h"
#undef UNIT_TEST

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "run-unit: %s\n", CU_get_error_msg());
        return 2;
    }
#define UNIT_TEST(name) register_##name##_tests();
#include "unit_list.h"
#undef UNIT_TEST

    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (argc > 1) {
        for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
            if (strstr(s->pName, argv[1]))
                CU_basic_run_suite(s);
    } else {
        CU_basic_run_tests();
    }
    unsigned run = CU_get_number_of_tests_run();
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned asserts_failed = CU_get_number_of_failures();
    printf("\nunit: %u passed, %u failed\n", run - failed, failed);
    CU_cleanup_registry();
    return (failed || asserts_failed) ? 1 : 0;
}
