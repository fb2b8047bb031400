/* The version every program prints for --version. */
#ifndef VERSION_H
#define VERSION_H
#define E2E_PROFILE_VERSION "0.1.0"
#endif
