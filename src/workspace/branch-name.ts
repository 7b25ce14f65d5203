/** The stable branch of a ticket: `ticketsmith/issue-<n>-<slug of the title>`. */
export function ticketBranchName(issueNumber: number, title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug ? `ticketsmith/issue-${issueNumber}-${slug}` : `ticketsmith/issue-${issueNumber}`;
}
