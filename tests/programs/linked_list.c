// A singly linked list: push, reverse, merge sort, delete.
#include <stdio.h>
#include <stdlib.h>

struct node { int value; struct node *next; };

static struct node *push(struct node *head, int v) {
  struct node *n = malloc(sizeof *n);
  n->value = v;
  n->next = head;
  return n;
}

static struct node *reverse(struct node *h) {
  struct node *prev = NULL;
  while (h) { struct node *next = h->next; h->next = prev; prev = h; h = next; }
  return prev;
}

static struct node *merge(struct node *a, struct node *b) {
  struct node head = {0, NULL}, *t = &head;
  while (a && b) {
    if (a->value <= b->value) { t->next = a; a = a->next; } else { t->next = b; b = b->next; }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

static struct node *sort(struct node *h) {
  if (!h || !h->next) return h;
  struct node *slow = h, *fast = h->next;
  while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
  struct node *second = slow->next;
  slow->next = NULL;
  return merge(sort(h), sort(second));
}

static void print(const char *label, struct node *h) {
  printf("%s:", label);
  for (int i = 0; h && i < 12; h = h->next, i++) printf(" %d", h->value);
  putchar('\n');
}

int main(void) {
  struct node *list = NULL;
  unsigned seed = 12345;
  for (int i = 0; i < 1000; i++) { seed = seed * 1103515245 + 12345; list = push(list, (int)(seed >> 16) % 1000); }
  print("pushed", list);
  list = reverse(list);
  print("reversed", list);
  list = sort(list);
  print("sorted", list);
  int removed = 0;
  for (struct node **pp = &list; *pp;) {
    if ((*pp)->value % 3 == 0) { struct node *dead = *pp; *pp = dead->next; free(dead); removed++; }
    else pp = &(*pp)->next;
  }
  printf("removed %d multiples of 3\n", removed);
  print("remaining", list);
  while (list) { struct node *n = list->next; free(list); list = n; }
  return 0;
}
