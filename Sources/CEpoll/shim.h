// Linux's epoll (glibc), which Swift's Glibc module leaves out: the lab's servers wait on
// thousands of listening sockets at once, where poll(2) costs a pass over all of them per wake.
#include <sys/epoll.h>
