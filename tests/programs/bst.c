// A binary search tree: insert, find, in-order traversal, height, delete.
#include <stdio.h>
#include <stdlib.h>

struct tree { int key; struct tree *left, *right; };

static struct tree *insert(struct tree *t, int key) {
  if (!t) { t = calloc(1, sizeof *t); t->key = key; return t; }
  if (key < t->key) t->left = insert(t->left, key);
  else if (key > t->key) t->right = insert(t->right, key);
  return t;
}

static int height(const struct tree *t) {
  if (!t) return 0;
  int l = height(t->left), r = height(t->right);
  return 1 + (l > r ? l : r);
}

static int count;
static void inorder(const struct tree *t) {
  if (!t) return;
  inorder(t->left);
  if (count++ < 15) printf("%d ", t->key);
  inorder(t->right);
}

static struct tree *delete(struct tree *t, int key) {
  if (!t) return NULL;
  if (key < t->key) t->left = delete(t->left, key);
  else if (key > t->key) t->right = delete(t->right, key);
  else {
    if (!t->left || !t->right) { struct tree *c = t->left ? t->left : t->right; free(t); return c; }
    struct tree *m = t->right;
    while (m->left) m = m->left;
    t->key = m->key;
    t->right = delete(t->right, m->key);
  }
  return t;
}

static void destroy(struct tree *t) { if (t) { destroy(t->left); destroy(t->right); free(t); } }

int main(void) {
  struct tree *root = NULL;
  for (int i = 0; i < 2000; i++) root = insert(root, (i * 7919) % 2003);
  printf("height %d\n", height(root));
  inorder(root);
  printf("\ncount %d\n", count);
  for (int k = 0; k < 2003; k += 2) root = delete(root, k);
  count = 0;
  inorder(root);
  printf("\ncount after delete %d height %d\n", count, height(root));
  destroy(root);
  return 0;
}
