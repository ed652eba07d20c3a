/*
 * check.h - `revcast check`: lints a published feed folder against the
 * rules revcast publishes by, and says what is wrong in plain words.
 */
#ifndef REVCAST_CHECK_H
#define REVCAST_CHECK_H

/*
 * Checks DIR (a published feed folder holding feed.xml). Prints one line
 * per problem to standard error. Returns the number of problems, or -1
 * when the folder has no readable feed.xml.
 */
int check_published(const char *dir);

#endif
