/* One main() for every Check test file: each file defines suite(). */
#ifndef SOCKCAP_TEST_SUITE_H
#define SOCKCAP_TEST_SUITE_H

#include <check.h>
#include <stdlib.h>

Suite *suite(void);

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
