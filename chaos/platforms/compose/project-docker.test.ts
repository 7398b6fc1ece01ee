import { describe, expect, it } from 'vitest';
import { outsideProject } from './project-docker.ts';

describe('outsideProject (the blast-radius guard)', () => {
  const own = { 'windshear.project': 'windshear', 'windshear.component': 'kafka-2' };
  it('lets through only containers labeled with the project (and the component asked for)', () => {
    expect(outsideProject(own, 'windshear')).toBeNull();
    expect(outsideProject(own, 'windshear', 'kafka-2')).toBeNull();
  });
  it('refuses a container without the label, of another project, or of another component', () => {
    expect(outsideProject({}, 'windshear')).toBe('it has no windshear.project label');
    expect(outsideProject(null, 'windshear')).toBe('it has no windshear.project label');
    expect(outsideProject({ 'windshear.project': 'other' }, 'windshear')).toBe(
      'it belongs to project "other", not "windshear"',
    );
    expect(outsideProject(own, 'windshear', 'kafka-3')).toBe(
      'its windshear.component label is "kafka-2", not "kafka-3"',
    );
  });
});
