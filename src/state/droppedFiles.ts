import type { NamedFile } from '../engine/imageImport.ts'

export type { NamedFile } from '../engine/imageImport.ts'

/** Every file under a dropped folder (or the dropped files), named by their path in it. */
export const droppedFiles = async (items: DataTransferItemList): Promise<NamedFile[]> => {
  const entries = [...items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null)
  const out: NamedFile[] = []
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))
      out.push({ file, name: entry.fullPath.replace(/^\//, '') })
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader()
      // readEntries answers in chunks (100 in Chromium) until it answers an empty list.
      for (;;) {
        const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
        if (chunk.length === 0) break
        for (const child of chunk) await visit(child)
      }
    }
  }
  for (const entry of entries) await visit(entry)
  return out
}

/** Image files only, by type or extension (folders hold other files too). */
export const onlyImages = (files: NamedFile[]): NamedFile[] =>
  files.filter((f) => f.file.type.startsWith('image/') || /\.(png|jpe?g|gif|webp|bmp|avif)$/i.test(f.name))
